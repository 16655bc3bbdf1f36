"""docs/SPARK.md's recipe on a local Spark: SMOTE per hash bucket inside
applyInPandas balances every bucket, and so the table. Skipped where pyspark
or pyarrow is not installed (CI: a 434 MB download and a JVM, for one test)."""

import os
import sys

import numpy as np
import pandas as pd
import pytest

pyspark = pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

from pyspark.sql import SparkSession, functions as F  # noqa: E402

from imbalanced.over_sampling import SMOTE  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    # The workers run this interpreter, which has imbalanced installed.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    yield session
    session.stop()


def test_smote_per_bucket_balances_every_bucket_and_the_table(spark):
    rng = np.random.RandomState(0)
    n = 2000
    label = (rng.rand(n) < 0.1).astype(np.int64)
    data = pd.DataFrame(rng.normal(size=(n, 3)) + label[:, None], columns=["f0", "f1", "f2"])
    data["label"] = label
    df = spark.createDataFrame(data)
    features = ["f0", "f1", "f2"]

    def smote_bucket(rows: pd.DataFrame) -> pd.DataFrame:
        bucket = int(rows["bucket"].iloc[0])
        X_res, y_res = SMOTE(random_state=bucket).fit_resample(rows[features], rows["label"])
        return X_res.assign(label=y_res.to_numpy(), bucket=bucket)

    balanced = (df.withColumn("bucket", F.pmod(F.xxhash64(*features), F.lit(4)))
                  .groupBy("bucket")
                  .applyInPandas(smote_bucket, schema=df.schema.add("bucket", "long")))
    out = balanced.toPandas()
    per_bucket = out.groupby(["bucket", "label"]).size().unstack()
    assert len(per_bucket) == 4
    assert (per_bucket[0] == per_bucket[1]).all(), per_bucket
    counts = out["label"].value_counts()
    assert counts[0] == counts[1] == (label == 0).sum()
    # Every original row is kept.
    original = data.round(12).apply(tuple, axis=1)
    kept = set(out[features + ["label"]].round(12).apply(tuple, axis=1))
    assert all(row in kept for row in original)
    # The same input, the same rows.
    again = balanced.toPandas().sort_values(features).reset_index(drop=True)
    pd.testing.assert_frame_equal(out.sort_values(features).reset_index(drop=True), again)
