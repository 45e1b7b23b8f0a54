"""The moderation models load when the node starts, not on the first post (which once took
more than ten seconds): the abuse model and the crisis lexicon are ready before any request."""

from __future__ import annotations

from careverse.app import create_app
from careverse.community import abuse
from careverse.kernel import crisis_screen as crisis
from careverse.kernel.config import Settings
from tests.conftest import TEST_KEYS


async def test_the_moderation_models_are_loaded_at_start_up(database_url, tmp_path):
    abuse._model.cache_clear()
    crisis.lexicon.cache_clear()
    crisis._compiled.cache_clear()
    settings = Settings(data_dir=tmp_path, database_url=database_url, encryption_keys=TEST_KEYS,
                        migrate_on_start=False, log_json=False)  # fmt: skip
    app = create_app(settings)
    assert abuse._model.cache_info().currsize == 0  # building the app loads nothing
    async with app.router.lifespan_context(app):
        assert abuse._model.cache_info().currsize == 1
        assert crisis.lexicon.cache_info().currsize == 1
        assert crisis._compiled.cache_info().currsize == 1
