{
  "targets": [
    {
      "target_name": "spamops_wal_watch",
      "sources": ["wal-watch.c"],
      "cflags": ["-O2", "-std=gnu11"]
    }
  ]
}
