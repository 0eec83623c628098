//! digest stage (being written).
