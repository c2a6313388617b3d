"""Python flytekit twins of the JVM workflows, written as a flytekit user would."""
