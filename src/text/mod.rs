//! Text utilities shared by stages.
