import pyro


async def model():
    pass
