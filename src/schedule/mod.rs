//! schedule stage (being written).
