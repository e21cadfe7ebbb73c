//! IPython magics and `!` lines inside notebook code cells.
