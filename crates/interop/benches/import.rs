//! Reading a 100,000-row referral file, generated in memory: the import
//! budget is 5 s including the database, so parsing and checking must take a
//! small part of it.

use std::hint::black_box;

use corridor_interop::referrals::read_referrals;
use criterion::{Criterion, criterion_group, criterion_main};
use jiff::civil::date;

const ROWS: usize = 100_000;

/// A valid file of `rows` rows: mostly adult patients, and every fifth
/// patient a child with a parent as companion.
fn generate_file(rows: usize) -> Vec<u8> {
    let mut file = String::from(
        "id,role,companion_of,relationship,name,birth_year,sex,legal_basis,condition,\
         specialty,tier,referral_date,referring_facility,return_guarantee\n",
    );
    let tiers = ["critical", "urgent", "routine"];
    let mut written = 0;
    let mut patient = 0;
    while written < rows {
        let is_child = patient % 5 == 0 && written + 1 < rows;
        let birth_year = if is_child { 2012 } else { 1950 + patient % 50 };
        let month = 1 + patient % 12;
        file.push_str(&format!(
            "P-{patient:06},patient,,,Patient {patient},{birth_year},female,consent,cancer,oncology,{},\
             2025-{month:02}-15,al-shifa-medical-complex,no\n",
            tiers[patient % 3],
        ));
        written += 1;
        if is_child {
            file.push_str(&format!(
                "C-{patient:06},companion,P-{patient:06},parent,,1985,male,consent,,,,,,\n"
            ));
            written += 1;
        }
        patient += 1;
    }
    file.into_bytes()
}

fn import(criterion: &mut Criterion) {
    let file = generate_file(ROWS);
    let today = date(2026, 2, 1);
    let mut group = criterion.benchmark_group("import");
    group.sample_size(20);
    group.bench_function("read_referrals 100k rows", |bencher| {
        bencher.iter(|| {
            let import = read_referrals(black_box(file.as_slice()), today, &mut |_| {});
            match import {
                Ok(import) if import.errors.is_empty() && import.rows.len() == ROWS => import,
                Ok(import) => panic!("unexpected errors: {:?}", import.errors.first()),
                Err(error) => panic!("{error}"),
            }
        });
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
