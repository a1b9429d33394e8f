#!/usr/bin/python3
# Prints `CERT <name> <serial hex> <notAfter epoch s> <ACME server>` for every certificate
# lineage in the volume (its current cert.pem), with the cryptography library certbot uses.
import os
import re
from cryptography import x509

base = '/etc/letsencrypt'
live = os.path.join(base, 'live')
for name in sorted(os.listdir(live)) if os.path.isdir(live) else []:
    path = os.path.join(live, name, 'cert.pem')
    if not os.path.exists(path):
        continue
    with open(path, 'rb') as f:
        cert = x509.load_pem_x509_certificate(f.read())
    server = '-'
    conf = os.path.join(base, 'renewal', f'{name}.conf')
    if os.path.exists(conf):
        with open(conf) as f:
            m = re.search(r'^server\s*=\s*(\S+)', f.read(), re.M)
            server = m.group(1) if m else '-'
    expiry = int(cert.not_valid_after_utc.timestamp())
    print(f'CERT {name} {cert.serial_number:X} {expiry} {server}')
