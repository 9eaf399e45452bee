"""Teaching: classroom play against the model (`play`)."""
