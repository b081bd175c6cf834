"""The teaching visualiser (Solara / Mesa): imports the world; nothing imports it."""
