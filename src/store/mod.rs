//! store stage (being written).
