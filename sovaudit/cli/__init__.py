"""The command line. Commands are thin: parse options, call the library, pick an exit code."""
