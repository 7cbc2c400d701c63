//! Which part of a long list to show: a page number and a page size, both
//! bounded, so that the rows they skip are always a number a database takes.

use crate::InvalidValue;

/// A page of a list: the page number (from 1) and the rows per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    page: u64,
    per_page: u32,
}

impl Paging {
    /// The highest page number anyone can ask for. With one row per page it
    /// is more rows than a registry holds, so a real page is never refused;
    /// a page past the last one is empty.
    pub const MAX_PAGE: u64 = 1_000_000;

    /// Checks a page number and a page size of at most `max_per_page`;
    /// `per_page_field` names the size as the caller's user typed it
    /// (`per_page` in the API, `limit` on the command line).
    pub fn parse(
        page: u64,
        per_page: u32,
        max_per_page: u32,
        per_page_field: &'static str,
    ) -> Result<Paging, InvalidValue> {
        if !(1..=max_per_page).contains(&per_page) {
            return Err(InvalidValue::new(
                per_page_field,
                format!("{per_page} rows per page; ask for 1 to {max_per_page}"),
            ));
        }
        if page == 0 {
            return Err(InvalidValue::new("page", "pages are numbered from 1"));
        }
        if page > Paging::MAX_PAGE {
            return Err(InvalidValue::new(
                "page",
                format!(
                    "{page} is past the end of any list; pages are numbered from 1 to {}, and a page past the last one is empty",
                    Paging::MAX_PAGE
                ),
            ));
        }
        Ok(Paging { page, per_page })
    }

    pub fn page(self) -> u64 {
        self.page
    }

    pub fn per_page(self) -> u32 {
        self.per_page
    }

    /// The rows before this page.
    pub fn offset(self) -> u64 {
        (self.page - 1) * u64::from(self.per_page)
    }

    /// How many pages `total` rows make; at least one, empty when `total` is 0.
    pub fn pages(self, total: u64) -> u64 {
        total.div_ceil(u64::from(self.per_page)).max(1)
    }

    /// This page of `items` (a list held in memory); empty past the end.
    pub fn slice<T>(self, items: Vec<T>) -> Vec<T> {
        let skip = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        items
            .into_iter()
            .skip(skip)
            .take(self.per_page as usize)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded_and_name_the_field_at_fault() {
        let paging = Paging::parse(3, 50, 500, "per_page").unwrap();
        assert_eq!(paging.offset(), 100);
        assert_eq!(paging.pages(0), 1);
        assert_eq!(paging.pages(101), 3);
        assert_eq!(
            paging.slice((0..120).collect()),
            (100..120).collect::<Vec<_>>()
        );
        assert!(
            Paging::parse(9, 50, 500, "per_page")
                .unwrap()
                .slice(vec![1, 2])
                .is_empty()
        );

        let last = Paging::parse(Paging::MAX_PAGE, 10_000, 10_000, "limit").unwrap();
        assert!(i64::try_from(last.offset()).is_ok());

        for (page, per_page, field) in [
            (0, 50, "page"),
            (Paging::MAX_PAGE + 1, 50, "page"),
            (922_337_203_685_477_580, 50, "page"),
            (u64::MAX, 1, "page"),
            (1, 0, "per_page"),
            (1, 501, "per_page"),
        ] {
            let error = Paging::parse(page, per_page, 500, "per_page").unwrap_err();
            assert_eq!(error.field, field, "{page} {per_page}");
        }
    }
}
