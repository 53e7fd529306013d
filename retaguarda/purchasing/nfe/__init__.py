"""The supplier's NF-e as an entry: `reader` turns the XML into plain data, `matching` finds the supplier,
the products and the open orders, `services` keeps the upload and confirms it into a receipt."""
