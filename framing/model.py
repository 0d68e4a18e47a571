"""Trained models on disk: skops files (never pickle), the arrays that predict, a metadata record and checksums.

A model folder holds ``frames.skops`` and ``voice.skops`` (the fitted
scikit-learn estimators), ``predict.npz`` (what they learned, as arrays:
:class:`~framing.predictor.Predictor`, read without pickle) and ``model.json``
(format, schema, lexicon version, training data hash, date, thresholds,
metrics, and the SHA-256 of each file). Loading refuses a folder whose files
do not match their checksums (tampered) or whose skops files contain any type
outside :data:`TRUSTED_TYPES` (foreign). Predicting reads ``predict.npz``
only; the estimators are loaded when asked for (training, evaluation,
introspection), so that ``framing analyze`` does not import scikit-learn.
"""
from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .lexicon import FRAMES
from .predictor import Predictor
from .text import Tokens

if TYPE_CHECKING:
    from .classify import FrameClassifier, LabelClassifier, VoiceClassifier

FORMAT = "framing-model/1"
TRUSTED_TYPES = frozenset({
    "framing.classify.FrameClassifier", "framing.classify.VoiceClassifier", "framing.classify.LabelClassifier",
    "framing.classify._Features", "framing.classify.analyzer",
    "sklearn.calibration._CalibratedClassifier", "sklearn.calibration._SigmoidCalibration",
})
ESTIMATOR_FILES = ("frames.skops", "voice.skops")
PREDICTOR_FILE = "predict.npz"


class ModelError(ValueError):
    """A model folder that cannot be used, and why."""


class Model:
    """A frame model: the fitted estimators (``frames``, ``voice``) and the arrays that predict
    (:attr:`predictor`), made from the estimators or read from a model folder's ``predict.npz``. A model
    loaded from a folder loads its estimators from their skops files when they are first asked for."""

    def __init__(self, frames: FrameClassifier | None = None, voice: VoiceClassifier | None = None,
                 meta: dict | None = None, predictor: Predictor | None = None, folder: Path | None = None):
        self._frames, self._voice = frames, voice
        self.meta = {} if meta is None else meta
        self._predictor, self._folder = predictor, folder
        self._made_from: tuple | None = None  # the estimators' fitted state the predictor was made from

    @property
    def frames(self) -> FrameClassifier:
        if self._frames is None:
            self._load_estimators()
        return self._frames

    @frames.setter
    def frames(self, frames: FrameClassifier) -> None:
        self._frames = frames

    @property
    def voice(self) -> VoiceClassifier:
        if self._voice is None:
            self._load_estimators()
        return self._voice

    @voice.setter
    def voice(self, voice: VoiceClassifier) -> None:
        self._voice = voice

    def __repr__(self) -> str:
        m = self.meta
        where = f", folder={str(self._folder)!r}" if self._folder is not None else ""
        return (f"Model(trained={m.get('trained')!r}, sentences={m.get('n_sentences')!r}, "
                f"voice_from={m.get('voice_from')!r}, thresholds={self.thresholds}{where})")

    def _load_estimators(self) -> None:
        if self._folder is None:
            raise ModelError("this model has no estimators and no folder to load them from")
        self._frames, self._voice = _load_estimators(self._folder, self.meta)
        if self._predictor is not None:
            self._made_from = self._fitted_state()  # the folder's predictor is theirs (checksummed together)

    def _fitted_state(self) -> tuple:
        """What the predictor is made of, as objects (compared by identity) and the thresholds' bytes."""
        f, v = self.frames, self.voice
        return (f.features_.arrays(), f.weights(), np.asarray(f.thresholds_).tobytes(), v.features_.arrays(),
                v.model_, getattr(v, "stack_", None), self.meta.get("voice_from"))

    @property
    def predictor(self) -> Predictor:
        """The arrays that predict: the folder's own until the estimators are loaded, then made from them,
        again whenever they are replaced, refitted or given new thresholds."""
        if self._frames is not None or self._predictor is None:
            from .classify import predictor

            state = self._fitted_state()
            if self._predictor is None or state != self._made_from:
                voice = self.voice if self.meta.get("voice_from") == "classifier" else None
                self._predictor, self._made_from = predictor(self.frames, voice), state
        return self._predictor

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(zip(FRAMES, map(float, self.predictor.thresholds)))

    @property
    def shared_features(self) -> bool:
        """Whether both classifiers compute the same features (trained on the same sentences, as
        ``framing train`` does): then each batch's features are computed once, for both."""
        return self.predictor.shared_features

    def predict(self, table: pd.DataFrame, tokens: Tokens | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Frame probabilities ``(n, 6)``, 0/1 labels ``(n, 6)`` and voices for a lexicon table; ``tokens``:
        its texts' words, one row per sentence, when the caller has them (:meth:`framing.text.TextBatch.sentence_tokens`)."""
        return self.predictor.predict(table, tokens)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class LabelModel:
    """A single-label text classifier trained on someone else's labels (``framing train --label-field``)."""

    classifier: LabelClassifier
    meta: dict = field(default_factory=dict)

    def predict(self, texts: list[str]) -> np.ndarray:
        return self.classifier.predict(pd.DataFrame({"text": texts}))


def save_model(model: Model | LabelModel, folder: str | Path) -> Path:
    """Write the skops files (and a frame model's ``predict.npz``) and ``model.json`` with their checksums."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta = dict(model.meta)
    if isinstance(model, Model):
        parts = {"frames.skops": model.frames, "voice.skops": model.voice}
        meta.update(task="frames", frames=list(FRAMES), thresholds=model.thresholds)
    else:
        parts = {"label.skops": model.classifier}
        meta.update(task="label", classes=[str(c) for c in model.classifier.classes_])
    sio = _skops()
    meta.update(format=FORMAT, saved=datetime.now(timezone.utc).isoformat(timespec="seconds"), files={})
    for name, est in parts.items():
        sio.dump(est, folder / name, compression=zipfile.ZIP_DEFLATED)
        meta["files"][name] = _sha256(folder / name)
    if isinstance(model, Model):
        model.predictor.save(folder / PREDICTOR_FILE)
        meta["files"][PREDICTOR_FILE] = _sha256(folder / PREDICTOR_FILE)
    (folder / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    model.meta = meta
    return folder


def load_model(folder: str | Path) -> Model | LabelModel:
    """Load a model folder after checking its format, checksums and the types its files contain."""
    folder = Path(folder)
    meta_path = folder / "model.json"
    if not meta_path.exists():
        raise ModelError(f"{folder}: not a framing model folder (no model.json)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelError(f"{meta_path}: unreadable metadata ({exc.msg})") from exc
    if meta.get("format") != FORMAT:
        raise ModelError(f"{meta_path}: unknown model format {meta.get('format')!r} (expected {FORMAT})")
    if meta.get("task") == "frames" and meta.get("frames") != list(FRAMES):
        raise ModelError(f"{meta_path}: model was trained for frames {meta.get('frames')}, this schema has {list(FRAMES)}")
    if meta.get("task") == "label":
        from .classify import LabelClassifier

        classifier = _load_part(folder / "label.skops", meta)
        if not isinstance(classifier, LabelClassifier):
            raise ModelError(f"{folder}: label.skops does not hold a framing classifier")
        return LabelModel(classifier, meta)
    if meta.get("task") != "frames":
        raise ModelError(f"{meta_path}: unknown task {meta.get('task')!r}")
    if PREDICTOR_FILE not in meta.get("files", {}):  # saved before the predictor was: made from the estimators
        return Model(*_load_estimators(folder, meta), meta, folder=folder)
    for name in ESTIMATOR_FILES:  # checked now, loaded (and checked again) when asked for
        _check(folder / name, meta)
    path = _check(folder / PREDICTOR_FILE, meta)
    try:
        predictor = Predictor.load(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: not a readable predictor file ({exc})") from exc
    return Model(meta=meta, predictor=predictor, folder=folder)


def _load_estimators(folder: Path, meta: dict) -> tuple[FrameClassifier, VoiceClassifier]:
    from .classify import FrameClassifier, VoiceClassifier

    frames, voice = (_load_part(folder / name, meta) for name in ESTIMATOR_FILES)
    if not isinstance(frames, FrameClassifier) or not isinstance(voice, VoiceClassifier):
        raise ModelError(f"{folder}: the skops files do not hold framing classifiers")
    return frames, voice


_HIDDEN_WHILE_SKOPS_LOADS = ("torch", "dask", "pytest")


def _skops():
    """``skops.io``, imported on use and without torch, dask and pytest.

    At import skops lists scikit-learn's estimators, and on the way :mod:`pkgutil` imports every
    subpackage of scikit-learn, ``sklearn.externals.array_api_compat.torch`` and ``.dask`` among them, which
    import torch (installed with camel-tools: 3-4 s) and dask.array (0.15 s), and its testing helpers
    import pytest (0.1 s), for nothing our models hold. While skops is imported, those not imported yet
    look absent (pkgutil skips what fails to import); the list of estimators is the same.
    """
    if "skops.io" not in sys.modules:
        hidden = [name for name in _HIDDEN_WHILE_SKOPS_LOADS if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # `import name` now raises ImportError
        try:
            import skops.io
        finally:
            for name in hidden:
                del sys.modules[name]
    import skops.io as sio
    return sio


def _check(path: Path, meta: dict) -> Path:
    """``path``, when it is there and its checksum is the one ``model.json`` records."""
    if not path.exists():
        raise ModelError(f"{path}: missing")
    if _sha256(path) != meta.get("files", {}).get(path.name):
        raise ModelError(f"{path}: checksum does not match model.json; the file was changed or replaced — refusing to load it")
    return path


def _load_part(path: Path, meta: dict):
    _check(path, meta)
    sio = _skops()
    try:
        untrusted = set(sio.get_untrusted_types(file=path))
    except Exception as exc:  # noqa: BLE001 - any parse failure means the file is not a skops model
        raise ModelError(f"{path}: not a readable skops file ({exc})") from exc
    foreign = untrusted - TRUSTED_TYPES
    if foreign:
        raise ModelError(f"{path}: contains types framing does not trust ({', '.join(sorted(foreign))}); refusing to load it")
    return sio.load(path, trusted=sorted(untrusted))


def default_model_path() -> Path:
    return Path(__file__).resolve().parent / "data" / "model"


def default_model() -> Model | None:
    """The model shipped with the package, or ``None`` when this installation has none."""
    path = default_model_path()
    if not (path / "model.json").exists():
        return None
    model = load_model(path)
    if not isinstance(model, Model):
        raise ModelError(f"{path}: the bundled model is not a frame model")
    return model


def train_model(table: pd.DataFrame, y: np.ndarray, voice: np.ndarray, groups: np.ndarray,
                data_hash: str, lexicon_meta: dict, n_splits: int = 5) -> Model:
    """Fit the frame and voice classifiers on a lexicon table; thresholds and voice source from grouped CV."""
    from sklearn.metrics import accuracy_score, f1_score

    from .classify import FrameClassifier, VoiceClassifier
    from .evaluate import choose_thresholds, oof_predict
    from .features import features_of

    table = features_of(table)  # every sentence analysed once, not once per fold and classifier
    splits = min(n_splits, len(np.unique(groups)))
    proba = oof_predict(lambda: FrameClassifier(use_lexicon=True), table, y, groups, splits)
    thresholds = choose_thresholds(y, proba)
    pred = (proba >= thresholds).astype(int)
    vpred = oof_predict(VoiceClassifier, table, voice, groups, splits, method="predict")
    acc_clf, acc_lex = accuracy_score(voice, vpred), accuracy_score(voice, table["voice"])
    frames = FrameClassifier(use_lexicon=True).fit(table, y)
    frames.thresholds_ = thresholds
    meta = {
        "schema": "coalition", "lexicon": lexicon_meta, "training_data_sha256": data_hash,
        "trained": datetime.now(timezone.utc).isoformat(timespec="seconds"), "n_sentences": int(len(y)),
        "n_articles": int(len(np.unique(groups))), "positives": dict(zip(FRAMES, map(int, y.sum(axis=0)))),
        "voice_from": "classifier" if acc_clf > acc_lex else "lexicon",
        "oof_metrics": {"note": f"grouped {splits}-fold out-of-fold; thresholds chosen on the same predictions",
                        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
                        "f1": dict(zip(FRAMES, np.round(f1_score(y, pred, average=None, zero_division=0), 4).tolist())),
                        "voice_accuracy_classifier": round(float(acc_clf), 4),
                        "voice_accuracy_lexicon": round(float(acc_lex), 4)},
    }
    return Model(frames, VoiceClassifier().fit(table, voice), meta)


def data_hash(records: pd.DataFrame) -> str:
    """SHA-256 of the training records' text and labels (order-independent)."""
    lines = sorted(json.dumps([t, sorted(f), v], ensure_ascii=False)
                   for t, f, v in zip(records["text"], records["frames"], records["voice"]))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def train_from_gold(paths, lexicon=None) -> Model:
    """Train the frame and voice models on gold JSONL files."""
    from .api import scorer
    from .evaluate import gold_table

    lex = scorer(lexicon).lexicon
    table, y, voice, groups, gold = gold_table(paths, lex)
    return train_model(table, y, voice, groups, data_hash(gold), {"name": lex.name, "version": lex.version,
                       "sha256": lex.sha256})
