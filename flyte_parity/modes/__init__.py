"""Ways of comparing the SDKs, one module each."""
