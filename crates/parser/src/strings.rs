//! Decoding string literals of host languages into code with a span map.
