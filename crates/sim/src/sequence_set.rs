//! A set of referral sequence numbers with a fast "smallest member".
//!
//! Sequence numbers are dense (0, 1, 2, … in referral order), so a lane is
//! a bitset over them plus a cursor below which every word is known to be
//! empty. Insertion and removal are O(1); finding the smallest member scans
//! forward from the cursor, and since people mostly leave in referral order
//! the cursor mostly moves forward: the scans add up to about one pass over
//! the bitset per replication. It replaces a binary heap, whose pops were
//! the engine's largest cost.

#[derive(Debug, Clone, Default)]
pub(crate) struct SequenceSet {
    words: Vec<u64>,
    /// Every word before this index is zero.
    first_word: usize,
}

impl SequenceSet {
    pub fn insert(&mut self, sequence: u32) {
        let (word, bit) = position(sequence);
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= 1 << bit;
        self.first_word = self.first_word.min(word);
    }

    pub fn remove(&mut self, sequence: u32) {
        let (word, bit) = position(sequence);
        if let Some(bits) = self.words.get_mut(word) {
            *bits &= !(1 << bit);
        }
    }

    /// The smallest member.
    pub fn first(&mut self) -> Option<u32> {
        while let Some(&bits) = self.words.get(self.first_word) {
            if bits != 0 {
                // Sequence numbers are u32, so the word index times 64 fits.
                return Some((self.first_word * 64) as u32 + bits.trailing_zeros());
            }
            self.first_word += 1;
        }
        None
    }

    /// All members in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(index, &bits)| {
            (0..64u32)
                .filter(move |bit| bits & (1 << bit) != 0)
                .map(move |bit| index as u32 * 64 + bit)
        })
    }
}

fn position(sequence: u32) -> (usize, u32) {
    ((sequence / 64) as usize, sequence % 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_sorted_set() {
        let mut set = SequenceSet::default();
        assert_eq!(set.first(), None);
        for sequence in [500, 3, 64, 65, 1000] {
            set.insert(sequence);
        }
        assert_eq!(set.first(), Some(3));
        set.remove(3);
        assert_eq!(set.first(), Some(64));
        set.remove(64);
        set.remove(65);
        assert_eq!(set.first(), Some(500));
        // Inserting below the cursor moves it back.
        set.insert(7);
        assert_eq!(set.first(), Some(7));
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![7, 500, 1000]);
        set.remove(7);
        set.remove(500);
        set.remove(1000);
        set.remove(123_456);
        assert_eq!(set.first(), None);
    }
}
