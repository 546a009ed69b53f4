"""Reading what the user wrote: inventory files, the config file, saved results, JSON
Schemas, and errors that name file, line and field."""
