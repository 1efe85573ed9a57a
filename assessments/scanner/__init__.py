"""A passive external scan of one website: fetch (retriever, tls), judge (analyzers), grade.

The retriever is the only part that touches the network; every analyzer is a pure function of
what it retrieved, so each can be tested with hand-built responses and no server.
"""
