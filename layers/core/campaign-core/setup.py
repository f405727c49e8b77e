from setuptools import setup

setup(
    name="campaign-core",
    version="1.0.0",
    description="Shared campaign logic for the example Lambda functions",
    packages=["campaign_core"],
    python_requires=">=3.9",
)
