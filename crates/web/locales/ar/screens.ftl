# كلمات شاشات كوريدور بالعربية.
# The same message ids as ../en/screens.ftl. Terms follow docs/GLOSSARY.md;
# numbers and ids stay in Latin digits inside the Arabic text (Fluent
# isolates them so that they keep their place). Ranges are written in
# words ("من 5 إلى 17"), never as 5–17, which right to left reads 17–5.

## إطار كل صفحة

skip-to-content = انتقل إلى المحتوى
sign-in = تسجيل الدخول
sign-out = تسجيل الخروج

nav-dashboard = لوحة المتابعة
nav-people = قائمة الانتظار
nav-register-patient = تسجيل مريض
nav-register-returnee = تسجيل عائد
nav-beds = الأسرّة
nav-clearance = الموافقة الأمنية
nav-plan = خطة اليوم
nav-calls = قائمة الاتصال
nav-gate = البوابة
nav-aid = مسار المساعدات
nav-forecast = التوقعات
nav-figures = الأرقام المنشورة
nav-exports = التنزيلات
nav-users = المستخدمون
nav-tokens = رموز الواجهة البرمجية
nav-organisations = المؤسسات
nav-audit = سجل التدقيق
nav-account = الحساب

role-referrer = مسؤول التحويل
role-coordinator = المنسق
role-clearance-liaison = مسؤول الموافقات الأمنية
role-crossing-officer = ضابط المعبر
role-receiving-liaison = مسؤول التنسيق مع المستشفيات المستقبِلة
role-logistics-officer = مسؤول اللوجستيات
role-analyst = محلل
role-admin = مدير النظام

## تسجيل الدخول

sign-in-intro = الإجلاء الطبي وأيام العبور والمساعدات على المعبر. سجّل الدخول بالحساب الذي أعطاك إياه مدير النظام.
sign-in-username = اسم المستخدم
sign-in-password = كلمة المرور
sign-in-refused = اسم المستخدم أو كلمة المرور غير صحيحة.
sign-in-locked = محاولات دخول فاشلة كثيرة بهذا الاسم. انتظر { $seconds } ثانية ثم حاول مجدداً، أو اطلب من مدير النظام إعادة تعيين كلمة المرور.

## قائمة الانتظار

people-title = قائمة الانتظار
people-search = الاسم أو الرقم التعريفي
people-tier = الأولوية
people-status = الحالة
people-specialty = التخصص
people-age = العمر
people-any = الكل
people-waiting = في الانتظار
people-waited-more-than = انتظر أكثر من
people-days = يوماً
people-filter = تصفية
people-count = { $count ->
    [zero] لا يطابق البحث أي شخص.
    [one] يطابق البحث شخص واحد.
    [two] يطابق البحث شخصان.
    [few] يطابق البحث { $shown } أشخاص.
    [many] يطابق البحث { $shown } شخصاً.
   *[other] يطابق البحث { $shown } شخص.
}
people-count-in-scope = { $count ->
    [zero] لا يطابق البحث أي شخص ضمن نطاقك.
    [one] يطابق البحث شخص واحد ضمن نطاقك.
    [two] يطابق البحث شخصان ضمن نطاقك.
    [few] يطابق البحث { $shown } أشخاص ضمن نطاقك.
    [many] يطابق البحث { $shown } شخصاً ضمن نطاقك.
   *[other] يطابق البحث { $shown } شخص ضمن نطاقك.
}
people-page-of = الصفحة { $page } من { $pages }.
people-id = الرقم التعريفي
people-name = الاسم
people-referred = تاريخ التحويل
people-days-waiting = أيام الانتظار
people-companions = المرافقون
page-previous = → السابق
page-next = التالي ←
scope-own = ترى فقط الأشخاص الذين سجلتهم أنت.
scope-organisation = ترى المرضى المحوَّلين من { $organisation } والأشخاص الذين سجلتهم أنت.
filter-q = الاسم أو الرقم التعريفي { $value }
filter-role = الصفة { $value }
filter-tier = الأولوية { $value }
filter-status = الحالة { $value }
filter-specialty = التخصص { $value }
filter-age = العمر { $value }
filter-waited-more-than = انتظر أكثر من (أيام) { $value }
filter-waited-less-than = انتظر أقل من (أيام) { $value }
empty-nobody-waiting = لا أحد في الانتظار.
empty-no-match = لا أحد يطابق { $count ->
    [one] عامل التصفية
    [two] عاملَي التصفية
   *[other] عوامل التصفية
}: { $filters }. أزل أحد عوامل التصفية لترى المزيد.
empty-and-scope = { $why } { $scope }

tier-critical = حرج
tier-urgent = عاجل
tier-routine = اعتيادي

status-referred = محوَّل
status-listed = على القائمة
status-clearance-requested = بانتظار الموافقة الأمنية
status-cleared = تمت الموافقة
status-denied = مرفوض
status-delayed = مؤجل
status-scheduled = مجدول للعبور
status-crossed = عبر
status-admitted = أُدخل المستشفى
status-returned = عاد
status-died-while-waiting = توفي أثناء الانتظار
status-withdrawn = انسحب من القائمة

specialty-oncology = الأورام
specialty-haematology = أمراض الدم
specialty-orthopaedics = جراحة العظام
specialty-neurosurgery = جراحة الأعصاب
specialty-cardiac-surgery = جراحة القلب
specialty-cardiology = أمراض القلب
specialty-nephrology = أمراض الكلى
specialty-ophthalmology = طب العيون
specialty-burns-plastic = الحروق والجراحة التجميلية
specialty-paediatrics = طب الأطفال
specialty-rehabilitation = إعادة التأهيل
specialty-general-surgery = الجراحة العامة

age-group-0-4 = من 0 إلى 4 سنوات
age-group-5-17 = من 5 إلى 17 سنة
age-group-18-59 = من 18 إلى 59 سنة
age-group-60-plus = 60 سنة فأكثر
