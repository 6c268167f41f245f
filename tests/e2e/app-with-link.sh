#!/bin/sh
# The app as the OS starts it for a signet:// link while Signet is closed (cold start).
exec "${SIGNET_APP:?}" "signet://callback?oauth_token=from-a-closed-app&oauth_verifier=v9" "$@"
