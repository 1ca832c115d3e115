//! The classification rules, one test per rule of the product's contract.

mod config;
mod prefix;
mod reference;
mod rules;

use super::{Classifier, ClassifierConfig};

fn seed() -> Classifier {
    Classifier::default()
}

fn with(config: &ClassifierConfig) -> Classifier {
    Classifier::new(config).unwrap()
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|&w| w.to_owned()).collect()
}
