"""Generated values: Hypothesis strategies for every literal kind, what one value did through both
SDKs' testees, and the rules that say which of those differences are known."""
