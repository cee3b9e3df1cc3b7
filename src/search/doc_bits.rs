//! Documents of a segment, one bit each: a filter read once per search, so that testing a match
//! against it is one bit, or the documents a search's words touched, walked in order.

use roaring::RoaringBitmap;
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet};

#[derive(Clone)]
pub struct DocBits(Vec<u64>);

impl DocBits {
    pub fn new(documents: usize) -> Self {
        DocBits(vec![0; documents.div_ceil(64)])
    }

    pub fn of(bitmap: &RoaringBitmap, documents: usize) -> Self {
        let mut bits = DocBits::new(documents);
        bitmap.iter().for_each(|doc| bits.insert(doc));
        bits
    }

    /// The documents a docset holds, from where it stands; read a block at a time, so that the
    /// docset's own code, not a call through its box, steps through each block.
    pub fn of_docset(docset: &mut dyn DocSet, documents: usize) -> Self {
        let mut bits = DocBits::new(documents);
        let mut block = [0; COLLECT_BLOCK_BUFFER_LEN];
        loop {
            let filled = docset.fill_buffer(&mut block);
            block[..filled].iter().for_each(|&doc| bits.insert(doc));
            if filled < block.len() {
                return bits;
            }
        }
    }

    /// The documents of a list in increasing order.
    pub fn of_sorted(docs: &[DocId], documents: usize) -> Self {
        let mut bits = DocBits::new(documents);
        docs.iter().for_each(|&doc| bits.insert(doc));
        bits
    }

    /// The same documents as a Roaring bitmap, built a 65,536-document container at a time
    /// (a bitmap container where they are dense) rather than document by document.
    pub fn to_roaring(&self) -> RoaringBitmap {
        let bytes: Vec<u8> = self.0.iter().flat_map(|word| word.to_le_bytes()).collect();
        RoaringBitmap::from_lsb0_bytes(0, &bytes)
    }

    /// How many documents there is room for.
    pub fn capacity(&self) -> usize {
        self.0.len() * 64
    }

    /// How many documents are held.
    pub fn len(&self) -> usize {
        self.0.iter().map(|word| word.count_ones() as usize).sum()
    }

    /// How many documents both hold: a word at a time, where a bitmap of a few is not needed.
    pub fn count_both(&self, other: &DocBits) -> u64 {
        let both = self
            .0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a & b).count_ones());
        both.map(u64::from).sum()
    }

    /// Keeps only the documents `other` holds too.
    pub fn keep_only(&mut self, other: &DocBits) {
        for (at, word) in self.0.iter_mut().enumerate() {
            *word &= other.0.get(at).copied().unwrap_or(0);
        }
    }

    /// Holds no document any more.
    pub fn clear(&mut self) {
        self.0.fill(0);
    }

    pub fn insert(&mut self, doc: DocId) {
        if let Some(word) = self.0.get_mut(doc as usize / 64) {
            *word |= 1 << (doc % 64);
        }
    }

    pub fn contains(&self, doc: DocId) -> bool {
        self.0
            .get(doc as usize / 64)
            .is_some_and(|word| word & (1 << (doc % 64)) != 0)
    }

    /// Holds the documents of `other` too.
    pub fn add(&mut self, other: &DocBits) {
        for (word, more) in self.0.iter_mut().zip(&other.0) {
            *word |= more;
        }
    }

    /// The documents held here or in `other`.
    pub fn union(&self, other: &DocBits) -> DocBits {
        let longest = self.0.len().max(other.0.len());
        let word = |bits: &DocBits, at: usize| bits.0.get(at).copied().unwrap_or(0);
        DocBits(
            (0..longest)
                .map(|at| word(self, at) | word(other, at))
                .collect(),
        )
    }

    /// The first document held at or after `doc`.
    pub fn first_from(&self, doc: DocId) -> Option<DocId> {
        let mut at = doc as usize / 64;
        let mut rest = self.0.get(at)? & (u64::MAX << (doc % 64));
        while rest == 0 {
            at += 1;
            rest = *self.0.get(at)?;
        }
        Some((at * 64) as DocId + rest.trailing_zeros())
    }

    /// The documents held, in increasing order.
    pub fn documents(&self) -> Documents<'_> {
        Documents {
            words: &self.0,
            at: 0,
            rest: self.0.first().copied().unwrap_or(0),
        }
    }
}

/// The documents of `DocBits`, in increasing order.
pub struct Documents<'a> {
    words: &'a [u64],
    /// The word read now, and what is left of it.
    at: usize,
    rest: u64,
}

impl Iterator for Documents<'_> {
    type Item = DocId;

    fn next(&mut self) -> Option<DocId> {
        while self.rest == 0 {
            self.at += 1;
            self.rest = *self.words.get(self.at)?;
        }
        let bit = self.rest.trailing_zeros();
        self.rest &= self.rest - 1;
        Some((self.at * 64) as DocId + bit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_come_back_in_order() {
        let mut bits = DocBits::new(200);
        for doc in [130, 0, 63, 64, 199, 5] {
            bits.insert(doc);
        }
        assert_eq!(
            bits.documents().collect::<Vec<_>>(),
            vec![0, 5, 63, 64, 130, 199]
        );
        assert!(bits.contains(64) && !bits.contains(65));
        let firsts: Vec<_> = [0, 1, 6, 63, 64, 65, 199, 200, 5000]
            .map(|doc| bits.first_from(doc))
            .into();
        let expected = [0, 5, 63, 63, 64, 130, 199].map(Some);
        assert_eq!(firsts[..7], expected);
        assert_eq!(firsts[7..], [None, None]);
    }

    #[test]
    fn keeping_only_what_another_holds_is_their_intersection() {
        let mut bits = DocBits::new(300);
        [1, 70, 200, 299]
            .into_iter()
            .for_each(|doc| bits.insert(doc));
        let mut other = DocBits::new(300);
        [70, 71, 299].into_iter().for_each(|doc| other.insert(doc));
        bits.keep_only(&other);
        assert_eq!(bits.documents().collect::<Vec<_>>(), vec![70, 299]);
        assert_eq!(bits.len(), 2);
    }

    #[test]
    fn counted_together_and_as_roaring_the_documents_are_the_same() {
        // Over two containers, one dense (a bitmap container) and one sparse (an array).
        let dense: Vec<DocId> = (0..65_536).step_by(3).collect();
        let docs: Vec<DocId> = dense.iter().copied().chain([70_000, 99_999]).collect();
        let bits = DocBits::of_sorted(&docs, 100_000);
        let roaring = bits.to_roaring();
        assert_eq!(roaring.iter().collect::<Vec<_>>(), docs);
        let odd = DocBits::of_sorted(&[3, 4, 70_000, 70_001], 100_000);
        assert_eq!(bits.count_both(&odd), 2);
        assert_eq!(bits.count_both(&bits), docs.len() as u64);
    }
}
