// Setup of the unit project: a unit test opens no socket, so listening or connecting throws and
// a test that needs a server or a database is caught here instead of slowing the quick run.
import net from 'node:net';

const refuse = (what: string) => () => {
  throw new Error(`unit tests may not ${what}: this file needs a server or database; keep it out of test:unit`);
};
net.Server.prototype.listen = refuse('listen on a port') as never;
net.Socket.prototype.connect = refuse('open a connection') as never;
