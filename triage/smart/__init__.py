"""The SMART checker: parse a description, decide which SMART elements it states. No I/O."""
