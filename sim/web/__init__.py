"""The classroom in the browser (`forcegen serve`): Explore, Watch and Class views.

- `server`: starts solara (uvicorn) on 127.0.0.1, or `--host`;
- `assets`: every script and style sheet served from this machine (offline);
- `app`: the page and its three views;
- `scenarios`: the shipped scenarios the page may open, and mandate variants;
- `explore`, `watch`, `classview`: the views;
- `classroom`: class sessions, join codes, seats and tokens, and the game.

Needs the `web` extra (`pip install 'forcegen[web]'`).
"""
