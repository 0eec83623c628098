//! mail stage (being written).
