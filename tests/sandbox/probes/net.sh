# Reaches the host's loopback and the network over TCP, UDP and DNS.
#   net.sh ATTACK_PROBE TCP_PORT UDP_PORT
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/lib.sh"
probe=$1 tcp=$2 udp=$3

"$probe" connect host-tcp "127.0.0.1:$tcp"
"$probe" connect internet-tcp 1.1.1.1:443
"$probe" udp-send host-udp "127.0.0.1:$udp"
"$probe" dns dns-stub-resolver 127.0.0.53:53
"$probe" dns dns-internet 8.8.8.8:53
attack resolve-name getent hosts example.com

"$probe" tcp-self own-tcp
"$probe" udp-self own-udp
control resolve-localhost getent hosts localhost
finish
