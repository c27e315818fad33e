"""Reference A2A runtime on a2a-sdk whose sessions, tasks and memories live in Tether."""
