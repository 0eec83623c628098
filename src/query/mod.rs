//! query stage (being written).
