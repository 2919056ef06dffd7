#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# weights_server.py: a local HTTP server that test-weights downloads from
#
#   python3 weights_server.py DIR
#
# Binds 127.0.0.1 on a free port, prints the port on stdout and serves the
# files of DIR:
#   /FILE        the file (Content-Length set), or 404 when there is none
#   /cut/FILE    announces the file's full length, sends half, then closes
#   /slow/FILE   sends half, then waits (for a test that cancels)
# It exits when its stdin closes, so a test that dies takes it along, and
# after a few minutes in any case.

import http.server
import os
import socket
import sys
import threading
import time

LIFETIME_S = 300


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        path = self.path.split('?', 1)[0]
        mode = None
        for prefix in ('/cut/', '/slow/'):
            if path.startswith(prefix):
                mode = prefix.strip('/')
                path = '/' + path[len(prefix):]
        name = os.path.basename(path)
        file = os.path.join(self.server.root, name)
        if not name or not os.path.isfile(file):
            body = b'not found\n'
            self.send_response(404)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        with open(file, 'rb') as f:
            data = f.read()
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if mode is None:
            # In pieces, so the client sees the body arrive over several reads.
            for start in range(0, len(data), 16384):
                self.wfile.write(data[start:start + 16384])
                self.wfile.flush()
            return
        self.wfile.write(data[:len(data) // 2])
        self.wfile.flush()
        if mode == 'slow':
            time.sleep(30)
            self.wfile.write(data[len(data) // 2:])
            return
        # The rest never comes: the connection goes down mid-body.
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that give up (the cancel test) and connections cut on
        # purpose are what this server is for; anything else is a bug.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def exit_with_stdin():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    server = Server(('127.0.0.1', 0), Handler)
    server.root = sys.argv[1]
    threading.Thread(target=exit_with_stdin, daemon=True).start()
    threading.Timer(LIFETIME_S, lambda: os._exit(0)).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
