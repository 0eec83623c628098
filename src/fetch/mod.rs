//! fetch stage (being written).
