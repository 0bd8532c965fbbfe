"""The authors module: who writes books. Other modules use it through `authors.facade` only."""
