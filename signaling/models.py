# Room presence and admission state for video sessions live here.
