//! PHOLD (placeholder)
