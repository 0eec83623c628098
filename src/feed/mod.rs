//! feed stage (being written).
