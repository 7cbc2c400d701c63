//! Synthetic names from short lists of common given and family names. The
//! combinations are random; they describe no one.

pub(crate) const FEMALE_GIVEN: &[&str] = &[
    "Amal", "Asmaa", "Aya", "Duaa", "Fatima", "Hala", "Hanan", "Huda", "Iman", "Lina", "Maha",
    "Mariam", "Nour", "Rana", "Reem", "Rawan", "Salma", "Samar", "Sara", "Shahd", "Wafaa",
    "Yasmin", "Zeina", "Layan", "Malak",
];

pub(crate) const MALE_GIVEN: &[&str] = &[
    "Adam", "Ahmad", "Ali", "Amir", "Bilal", "Hamza", "Hassan", "Ibrahim", "Ismail", "Karim",
    "Khaled", "Mahmoud", "Mohammed", "Mustafa", "Nasser", "Omar", "Rami", "Saeed", "Sami", "Tariq",
    "Walid", "Yousef", "Yazan", "Zaid", "Anas",
];

pub(crate) const FAMILY: &[&str] = &[
    "Abed",
    "Abu Amra",
    "Abu Daqqa",
    "Al-Masri",
    "Al-Najjar",
    "Al-Shaer",
    "Ashour",
    "Awad",
    "Barakat",
    "Darwish",
    "Hamdan",
    "Haddad",
    "Hijazi",
    "Issa",
    "Jaber",
    "Khalil",
    "Mansour",
    "Nassar",
    "Qasem",
    "Radwan",
    "Saleh",
    "Salem",
    "Shaheen",
    "Suleiman",
    "Younis",
    "Zaqout",
    "Odeh",
    "Hamad",
    "Kassab",
    "Ramadan",
];
