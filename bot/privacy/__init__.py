"""Residents' data rights (/mydata, /forget), retention periods and the nightly purge."""
