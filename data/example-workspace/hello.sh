#!/bin/sh
# Runs in the sandbox: it may write here, and nowhere else.
echo "Hello from inside the sandbox, in $(pwd)"
date > last-run.txt
