# الإشعارات المرسلة إلى أسرة المريض أو العائد برسالة نصية.
# Arguments as in en/notices.ftl. The crossing is named by its id where the
# glossary (/work/shared/ARABIC-TERMS.md) has its Arabic name.

notice-crossing = { $crossing ->
    [rafah] معبر رفح
    [kerem-shalom] معبر كرم أبو سالم
   *[other] معبر { $crossing_name }
}

notice-listed =
    كوريدور: { $person } مسجل على قائمة الانتظار للتحويل للعلاج في الخارج.
    سنتصل بهذا الرقم عند تحديد يوم العبور. يرجى إبقاء الهاتف مفتوحاً.

notice-scheduled =
    كوريدور: تم تحديد موعد عبور { $person } من { notice-crossing } يوم { $date }.
    { $point ->
        [given] يرجى الحضور إلى نقطة التجمع، { $place }، الساعة { $time }.
       *[none] سنتصل بكم لإبلاغكم بنقطة التجمع والموعد.
    }
    { $direction ->
        [inbound] أحضروا بطاقة الهوية أو جواز السفر لكل المسافرين.
       *[outbound] أحضروا بطاقة الهوية أو جواز السفر لكل المسافرين، ورسالة التحويل وجميع التقارير الطبية.
    }

notice-standby =
    كوريدور: { $person } على قائمة الاحتياط في { notice-crossing } يوم { $date }.
    إذا توفر مكان سنتصل بكم. يرجى إبقاء الهاتف مفتوحاً والاستعداد للسفر.

notice-clearance-delayed =
    كوريدور: الموافقة الأمنية لـ { $person } مؤجلة ولم يصل الرد بعد.
    تبقون على قائمة الانتظار وسنعيد تقديم الطلب. لا حاجة لأي إجراء منكم.

notice-denied =
    كوريدور: الموافقة الأمنية لـ { $person } مرفوضة.
    تبقون على قائمة الانتظار، وسيتصل بكم المنسق بشأن الخطوات التالية.

notice-day-cancelled =
    كوريدور: تم إلغاء يوم العبور في { notice-crossing } يوم { $date }.
    لا تذهبوا إلى نقطة التجمع. يبقى { $person } على القائمة وسنتصل بكم بموعد جديد.
