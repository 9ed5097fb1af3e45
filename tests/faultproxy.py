"""A TCP proxy on 127.0.0.1 that injects the faults a mail server shows on a bad day:
refusing connections, accepting and never answering, and cutting a connection after a
number of bytes from the server, or doing something (a delivery, say) at the moment the
client sends a command. Tests put it between sevmail and the real Dovecot."""

import socket
import threading


class FaultProxy:
    def __init__(self, target_port):
        self.target_port = target_port
        self.mode = "pass"    # pass | hang | refuse
        self.cut_after = None  # bytes from the server after which one connection is cut
        self.accepted = 0      # connections accepted so far
        # called with each chunk the client sends, before it is passed on (in the proxy's
        # thread; the command waits until it returns)
        self.on_client_data = None
        self._lock = threading.Lock()
        self._conns = []
        self._stop = threading.Event()
        self._listener = None
        # The port stays bound from here to close(): listening, or held without listening
        # while refusing (connections to it are refused all the same). A port handed
        # back to the kernel for the length of an outage may be given to anyone binding
        # port 0 meanwhile, and listen() would then fail or, worse, proxy to a stranger.
        self._held = self._bind(0)
        self.port = self._held.getsockname()[1]

    def __enter__(self):
        self.listen()
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _bind(port):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return s

    def listen(self):
        """Accept connections again (after refuse())."""
        s, self._held = self._held, None
        if s is None:
            s = self._bind(self.port)
        s.listen(16)
        self._listener = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def refuse(self):
        """Stop listening: new connections are refused; open ones are cut."""
        if self._listener is not None:
            # shutdown first: on Linux a bare close() leaves a thread blocked in
            # accept() accepting new connections
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        self.drop_all()
        # keep the port (bound, not listening) until listen() or close()
        if self._held is None and not self._stop.is_set():
            self._held = self._bind(self.port)

    def drop_all(self):
        with self._lock:
            conns, self._conns = self._conns, []
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def close(self):
        self._stop.set()
        self.refuse()
        if self._held is not None:
            self._held.close()
            self._held = None

    def _track(self, *socks):
        with self._lock:
            self._conns.extend(socks)

    def _accept(self, listener):
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._track(client)
            self.accepted += 1
            if self.mode == "hang":
                continue  # accepted, never answered
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            self._track(server)
            limit, self.cut_after = self.cut_after, None
            threading.Thread(target=self._pump, args=(client, server, None, self),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, limit),
                             daemon=True).start()

    @staticmethod
    def _pump(src, dst, limit, from_client=None):
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client is not None and from_client.on_client_data is not None:
                    from_client.on_client_data(data)
                if limit is not None and sent + len(data) > limit:
                    dst.sendall(data[: max(0, limit - sent)])
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
