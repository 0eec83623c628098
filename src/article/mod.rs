//! article stage (being written).
