//! Globs stored as their text, and compiled again when read back: how a
//! rules file compiled at build time carries them ([`crate::compiled`]).

use crate::glob::{self, Globs, Pattern, TestsGlob};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pattern, D::Error> {
        let text = String::deserialize(d)?;
        glob::compile(&text).map_err(|e| D::Error::custom(format!("glob {text:?}: {e}")))
    }
}

impl Serialize for Globs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.texts())
    }
}

impl<'de> Deserialize<'de> for Globs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Globs, D::Error> {
        Ok(Globs::new(Vec::<Pattern>::deserialize(d)?))
    }
}

impl Serialize for TestsGlob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.pattern().serialize(s)
    }
}

impl<'de> Deserialize<'de> for TestsGlob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TestsGlob, D::Error> {
        Ok(TestsGlob::new(Pattern::deserialize(d)?))
    }
}
