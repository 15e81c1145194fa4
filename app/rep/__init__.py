"""The REP-P formats both sides speak (Portaria MTP 671/2021): the kiosk's ledger (`app.store`)
writes them, PontoVoz Central (`app.central`) reads and checks them.

- `chain`: the ledger chain and the AFD type-7 chain (SHA-256).
- `records`: the stored records (`Punch`, `RepEvent`) and the fields the chain hashes.
- `afd`, `afd_layout`, `afd_fields`, `afd_check`: writing and checking AFD files.
- `cpf`: CPF/CNPJ rules; `credentials`: how PINs and badges are hashed; `reasons`: flag
  reasons in pt-BR; `sheets`: CSV/XLSX cells that stay data; `errors`: the error base and
  stable codes.

Imports only `app.core` and the standard library (and `crc` for the AFD's CRC-16): never the
store or Central (import-linter keeps it so).
"""
