//! The scenario catalogue, parameters, and the run's URL form.
