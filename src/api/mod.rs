//! api stage (being written).
