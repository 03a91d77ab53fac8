"""The baseline: a minimal ask-sdk "hello world" skill, for the bench to compare against."""
