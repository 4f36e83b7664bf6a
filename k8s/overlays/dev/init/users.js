// Run once by the mongo image on an empty data directory (/docker-entrypoint-initdb.d), as root.
// Each service gets a user that can read and write its own database and nothing else; the
// maintenance user (migrations, backups) gets the five databases and no more.
const services = ['gateway', 'job-intake', 'dispatcher', 'poller', 'asset'];
const passwordOf = (name) => process.env[`MONGO_PASSWORD_${name.toUpperCase().replace('-', '_')}`];
for (const service of services) {
  const database = `pixsim-${service}`;
  db.getSiblingDB(database).createUser({
    user: service,
    pwd: passwordOf(service),
    roles: [{ role: 'readWrite', db: database }],
  });
}
db.getSiblingDB('admin').createUser({
  user: 'maintenance',
  pwd: passwordOf('maintenance'),
  roles: services.flatMap((s) => [
    { role: 'readWrite', db: `pixsim-${s}` },
    { role: 'dbAdmin', db: `pixsim-${s}` },
  ]),
});
