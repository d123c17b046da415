"""WeCom (企业微信 / 政务微信) transport: the callback crypto and message format so far.

Built to the published callback protocol (the same on 政务微信 and private deployments): SHA1
signatures over the sorted token/timestamp/nonce/payload, AES-256-CBC with the key from
EncodingAESKey, PKCS#7 to 32-byte blocks, and the corp id as ReceiveId. The domain knows
nothing of this package.
"""
