/**
 * UI languages and strings. English is the reference; the Czech, Ukrainian, Russian and Vietnamese
 * strings are drafts awaiting review by native speakers (as the checklist's translations are).
 * A missing string falls back to English.
 */
export const LANGUAGES = {en: "English", cs: "Čeština", uk: "Українська", ru: "Русский", vi: "Tiếng Việt"};

/** Participant groups in the order the profile offers them (labels are the group_* strings). */
export const GROUPS = {tcn: 1, eu: 2, czech: 3, ngo: 4, city: 5, other: 6};

/** UI strings per language; English is complete and the reference. */
export const STRINGS = {
  en: {
    online: "Online", offline: "Offline", counts: "Checklists saved on this phone: {saved} · sent: {sent}.", storage_note: "Good to know: this browser may delete saved data if the phone runs short of space. Answers are safe once sent; until then you can also save a backup in the Sync tab.", share_backup: "Send a backup to another phone", restore: "Restore from a file", restore_hint: "Takes in a backup file from this or another phone: checklists already here keep their newest version, the others are added and sent from this phone.", restored: "{name}: {added} added, {updated} updated, {kept} already here.", restore_not_backup: "{name} is not a backup file of this app.", restore_failed: "{name} could not be restored: {reason}", finish: "I have finished", draft: "Draft translation. English:", draft_note: "These texts are a draft translation, not yet checked by a native speaker; the English original is under each item.",
    app_title: "City audit walk", language: "Language", sections: "Sections",
    tab_answer: "Answer", tab_records: "Checklists", tab_device: "Sync",
    home_intro: "Scan the QR code at a walk station with your camera, or type the code printed under it.",
    code_label: "Station code", code_help: "For example P7-1. Capital letters are not needed.", open: "Open",
    code_unknown: "No station “{code}” is saved on this device. Check the code, or open the walk's link while online.",
    scan: "Scan a QR code", scan_stop: "Stop scanning", scan_hint: "Point the camera at the station's QR code.",
    scan_failed: "The camera could not be used: {reason}",
    scan_denied: "The app may not use the camera. Allow the camera for this site in the browser's settings, or type the station code printed under the QR code.",
    scan_no_camera: "No camera can be used on this device right now. Type the station code printed under the QR code.",
    scan_no_decoder: "The QR code reader could not be loaded. Connect to the internet once and scan again, or type the station code printed under the QR code.",
    link_foreign: "This code is not a walk or station of this app: “{link}”. Scan the QR code on the station sign, or type the code printed under it.",
    walks_on_device: "Walks on this device", closed: "closed",
    no_walks: "No walks saved yet. Open a walk link once while online; after that the app works offline.",
    walk_unknown_offline: "This walk is not saved on this device yet. Connect to the internet and open the link again; after that it works offline.",
    walk_not_found: "There is no walk “{walk}”. Check the link or ask the facilitator.",
    load_failed: "The walk could not be loaded: {reason}",
    station_not_found: "Station {code} is not part of this walk. Choose a station below.",
    station_of_walk: "Station {code} · {walk}", stations: "Stations of this walk",
    next_station: "Next station: {code} · {title}", whole_walk: "Whole walk, without a station",
    at_station: "At this station", rest_of_checklist: "The rest of the checklist", checklist: "Checklist",
    progress: "{n} of {total} answered",
    scale_worst: "worst", scale_best: "best", dont_know: "Don't know", clear_answer: "Clear answer",
    comment_add: "Add a comment", comment_label: "Comment (optional)", answered_at: "Answered at station {code}",
    participant_n: "Participant {n}", participant_new: "New participant",
    participant_new_hint: "A new checklist starts with the first answer.", new_participant: "New participant",
    new_started: "A new checklist has started. Hand the device to the next participant.",
    profile: "About you (optional)", profile_hint: "Helps compare views between groups. Your name is never asked.",
    group_label: "I am", group_none: "Prefer not to say",
    group_tcn: "A third-country national", group_eu: "An EU citizen", group_czech: "A Czech citizen",
    group_ngo: "An NGO worker", group_city: "City or public administration staff", group_other: "Other",
    participant_language: "Preferred language",
    answers_n: "Answers: {n}", started_at: "started {time}", open_now: "open now", resume: "Continue this checklist",
    "state_in-progress": "In progress", state_waiting: "Waiting to sync", state_synced: "Synced", state_refused: "Refused",
    state_removed: "Removed by the organisers",
    refused_reason: "The server refused it: {reason}",
    checklists_title: "Checklists on this device", no_checklists: "No checklists on this device yet.",
    device_title: "Sync and this device", sync: "Sync", sync_now: "Sync now",
    sync_progress: "{sent} of {total} sent", sync_nothing: "Nothing new to send: everything is on the server.",
    sync_retry: "The server could not be reached. The answers are safe on this device; next try at {time}.",
    refused_n: "Refused: {n}.",
    sync_refused: "The server refused this walk's checklists: {reason}",
    key_replaced: "This walk's codes were replaced; ask the facilitator for the new ones, then scan a QR code or enter the walk code printed under it. Your answers stay on this device.",
    walk_closed: "This walk is closed; ask the facilitator to reopen it. Your answers stay on this device.",
    key_missing: "Your answers are saved on this phone. To send them, enter the walk code printed under the QR code, or scan a QR code.", code_wrong: "That walk code is not right. Check the code printed under the QR code.", walk_code_enter: "Enter the walk code",
    key_wrong: "The walk's code in the link was not accepted; scan a station QR code again.",
    walk_gone: "The server no longer has this walk; download a backup and give it to the facilitator.",
    last_sync: "Last successful sync: {time}", never_synced: "Not synced yet.",
    per_station: "Checklists and answers per station",
    station: "Station", checklists: "Checklists", answers: "Answers", no_station: "No station",
    data_safety: "Keeping answers safe",
    storage_persisted: "Storage is protected: the browser will not clear the answers on its own.",
    offline_ready: "Ready to work offline.", offline_not_ready: "Not ready to work offline yet; stay online for a moment.",
    backup: "Download backup",
    backup_hint: "A file with every checklist on this device, which the facilitator can bring to the organisers.",
    photo_n: "Photo {n}", photos_n: "Photos: {n}",
    photos_waiting_n: "Photos waiting to upload: {n}.", photos_none_waiting: "No photos waiting to upload.",
    photos_progress: "Uploading photos: {sent} of {total}", storage_use: "Storage used: {used} of {quota} MB.",
    storage_nearly_full: "Storage is nearly full: sync the photos soon.",
    device_id: "Device {id}", save_failed: "The answer could not be saved on this device: {reason}",
    update_ready: "A new version of the app is ready.", update_now: "Update now",
    install_hint: "Install the app to open it without the browser, even offline.", install: "Install", ok: "OK",
    install_ios: "Add the app to your Home Screen to open it without the browser, even offline: tap Share, then “Add to Home Screen”.",
  },
  cs: {
    online: "Online", offline: "Offline", counts: "Dotazníky uložené v tomto telefonu: {saved} · odeslané: {sent}.", storage_note: "Dobré vědět: když telefonu dochází místo, může prohlížeč uložená data smazat. Odeslané odpovědi jsou v bezpečí; do té doby můžete uložit zálohu v záložce Odeslání.", share_backup: "Poslat zálohu do jiného telefonu", restore: "Obnovit ze souboru", restore_hint: "Načte zálohu z tohoto nebo jiného telefonu: dotazníky, které tu už jsou, si ponechají nejnovější verzi, ostatní se přidají a odešlou z tohoto telefonu.", restored: "{name}: přidáno {added}, aktualizováno {updated}, už zde {kept}.", restore_not_backup: "{name} není záložní soubor této aplikace.", restore_failed: "{name} nelze obnovit: {reason}", finish: "Mám hotovo", draft: "Koncept překladu. Anglicky:", draft_note: "Tyto texty jsou koncept překladu, který zatím nezkontroloval rodilý mluvčí; anglický originál je pod každou položkou.",
    app_title: "Audit města – procházka", language: "Jazyk", sections: "Oddíly",
    tab_answer: "Odpovědi", tab_records: "Dotazníky", tab_device: "Odeslání",
    home_intro: "Naskenujte fotoaparátem QR kód na zastávce procházky, nebo napište kód vytištěný pod ním.",
    code_label: "Kód zastávky", code_help: "Například P7-1. Velká písmena nejsou nutná.", open: "Otevřít",
    code_unknown: "Zastávka „{code}“ v tomto zařízení uložená není. Zkontrolujte kód, nebo otevřete odkaz procházky online.",
    scan: "Naskenovat QR kód", scan_stop: "Ukončit skenování", scan_hint: "Namiřte fotoaparát na QR kód zastávky.",
    scan_failed: "Fotoaparát nelze použít: {reason}",
    scan_denied: "Aplikace nesmí používat fotoaparát. Povolte ho pro tento web v nastavení prohlížeče, nebo napište kód zastávky vytištěný pod QR kódem.",
    scan_no_camera: "V tomto zařízení teď nelze použít žádný fotoaparát. Napište kód zastávky vytištěný pod QR kódem.",
    scan_no_decoder: "Čtečku QR kódů se nepodařilo načíst. Jednou se připojte k internetu a skenujte znovu, nebo napište kód zastávky vytištěný pod QR kódem.",
    link_foreign: "Tento kód není procházka ani zastávka této aplikace: „{link}“. Naskenujte QR kód na tabuli zastávky, nebo napište kód vytištěný pod ním.",
    walks_on_device: "Procházky v tomto zařízení", closed: "uzavřená",
    no_walks: "Zatím žádné uložené procházky. Otevřete odkaz procházky jednou online; potom aplikace funguje i offline.",
    walk_unknown_offline: "Tato procházka ještě není v zařízení uložená. Připojte se k internetu a otevřete odkaz znovu; potom bude fungovat i offline.",
    walk_not_found: "Procházka „{walk}“ neexistuje. Zkontrolujte odkaz nebo se zeptejte průvodce.",
    load_failed: "Procházku se nepodařilo načíst: {reason}",
    station_not_found: "Zastávka {code} do této procházky nepatří. Vyberte zastávku níže.",
    station_of_walk: "Zastávka {code} · {walk}", stations: "Zastávky této procházky",
    next_station: "Další zastávka: {code} · {title}", whole_walk: "Celá procházka, bez zastávky",
    at_station: "Na této zastávce", rest_of_checklist: "Zbytek dotazníku", checklist: "Dotazník",
    progress: "zodpovězeno {n} z {total}",
    scale_worst: "nejhorší", scale_best: "nejlepší", dont_know: "Nevím", clear_answer: "Smazat odpověď",
    comment_add: "Přidat komentář", comment_label: "Komentář (nepovinný)", answered_at: "Zodpovězeno na zastávce {code}",
    participant_n: "Účastník {n}", participant_new: "Nový účastník",
    participant_new_hint: "Nový dotazník začne první odpovědí.", new_participant: "Nový účastník",
    new_started: "Začal nový dotazník. Předejte zařízení dalšímu účastníkovi.",
    profile: "O vás (nepovinné)", profile_hint: "Pomáhá porovnat pohledy skupin. Na jméno se nikdy neptáme.",
    group_label: "Jsem", group_none: "Nechci uvést",
    group_tcn: "Občan třetí země", group_eu: "Občan EU", group_czech: "Občan ČR",
    group_ngo: "Pracovník neziskové organizace", group_city: "Pracovník města nebo veřejné správy", group_other: "Jiné",
    participant_language: "Preferovaný jazyk",
    answers_n: "Odpovědi: {n}", started_at: "zahájeno {time}", open_now: "právě otevřený", resume: "Pokračovat v tomto dotazníku",
    "state_in-progress": "Rozpracovaný", state_waiting: "Čeká na odeslání", state_synced: "Odesláno", state_refused: "Odmítnuto",
    state_removed: "Odstraněno organizátory",
    refused_reason: "Server jej odmítl: {reason}",
    checklists_title: "Dotazníky v tomto zařízení", no_checklists: "V tomto zařízení zatím nejsou žádné dotazníky.",
    device_title: "Synchronizace a toto zařízení", sync: "Synchronizace", sync_now: "Synchronizovat",
    sync_progress: "odesláno {sent} z {total}", sync_nothing: "Není co odeslat: vše už je na serveru.",
    sync_retry: "Server není dostupný. Odpovědi jsou v zařízení v bezpečí; další pokus v {time}.",
    refused_n: "Odmítnuto: {n}.",
    sync_refused: "Server odmítl dotazníky této procházky: {reason}",
    key_replaced: "Kódy této procházky byly vyměněny; požádejte průvodce o nové, pak naskenujte QR kód nebo zadejte kód procházky vytištěný pod ním. Vaše odpovědi zůstávají v zařízení.",
    walk_closed: "Tato procházka je uzavřená; požádejte průvodce o její znovuotevření. Vaše odpovědi zůstávají v zařízení.",
    key_missing: "Vaše odpovědi jsou uložené v tomto telefonu. Abyste je odeslali, zadejte kód procházky vytištěný pod QR kódem, nebo naskenujte QR kód.", code_wrong: "Tento kód procházky neplatí. Zkontrolujte kód pod QR kódem.", walk_code_enter: "Zadat kód procházky",
    key_wrong: "Kód procházky v odkazu nebyl přijat; naskenujte QR kód zastávky znovu.",
    walk_gone: "Server tuto procházku už nemá; stáhněte zálohu a předejte ji průvodci.",
    last_sync: "Poslední úspěšná synchronizace: {time}", never_synced: "Zatím nesynchronizováno.",
    per_station: "Dotazníky a odpovědi podle zastávek",
    station: "Zastávka", checklists: "Dotazníky", answers: "Odpovědi", no_station: "Bez zastávky",
    data_safety: "Bezpečí odpovědí",
    storage_persisted: "Úložiště je chráněné: prohlížeč odpovědi sám nesmaže.",
    offline_ready: "Připraveno k práci offline.", offline_not_ready: "Ještě není připraveno k práci offline; zůstaňte chvíli online.",
    backup: "Stáhnout zálohu",
    backup_hint: "Soubor se všemi dotazníky v tomto zařízení, který může průvodce předat organizátorům.",
    photo_n: "Fotografie {n}", photos_n: "Fotografie: {n}",
    photos_waiting_n: "Fotografie čekající na nahrání: {n}.", photos_none_waiting: "Žádné fotografie nečekají na nahrání.",
    photos_progress: "Nahrávání fotografií: {sent} z {total}", storage_use: "Využité úložiště: {used} z {quota} MB.",
    storage_nearly_full: "Úložiště je téměř plné: brzy fotografie odešlete.",
    device_id: "Zařízení {id}", save_failed: "Odpověď se nepodařilo uložit do zařízení: {reason}",
    update_ready: "Je připravena nová verze aplikace.", update_now: "Aktualizovat",
    install_hint: "Nainstalujte si aplikaci, abyste ji mohli otevřít bez prohlížeče, i offline.", install: "Instalovat", ok: "Rozumím",
    install_ios: "Přidejte si aplikaci na plochu, abyste ji mohli otevřít bez prohlížeče, i offline: klepněte na Sdílet a potom na „Přidat na plochu“.",
  },
  uk: {
    online: "Онлайн", offline: "Офлайн", counts: "Анкети, збережені на цьому телефоні: {saved} · надіслано: {sent}.", storage_note: "Варто знати: коли на телефоні бракує місця, браузер може видалити збережені дані. Надіслані відповіді в безпеці; до того можна зберегти резервну копію на вкладці «Надсилання».", share_backup: "Надіслати копію на інший телефон", restore: "Відновити з файлу", restore_hint: "Завантажує резервну копію з цього чи іншого телефона: наявні анкети зберігають найновішу версію, інші додаються й надсилаються з цього телефона.", restored: "{name}: додано {added}, оновлено {updated}, уже тут {kept}.", restore_not_backup: "{name} не є файлом резервної копії цього застосунку.", restore_failed: "Не вдалося відновити {name}: {reason}", finish: "Я завершив(-ла)", draft: "Чернетка перекладу. Англійською:", draft_note: "Ці тексти — чернетка перекладу, ще не перевірена носієм мови; англійський оригінал — під кожним пунктом.",
    app_title: "Аудит міста: прогулянка", language: "Мова", sections: "Розділи",
    tab_answer: "Відповіді", tab_records: "Анкети", tab_device: "Надсилання",
    home_intro: "Відскануйте камерою QR-код на зупинці прогулянки або введіть код, надрукований під ним.",
    code_label: "Код зупинки", code_help: "Наприклад, P7-1. Великі літери не обов’язкові.", open: "Відкрити",
    code_unknown: "Зупинку «{code}» не збережено на цьому пристрої. Перевірте код або відкрийте посилання прогулянки онлайн.",
    scan: "Сканувати QR-код", scan_stop: "Зупинити сканування", scan_hint: "Наведіть камеру на QR-код зупинки.",
    scan_failed: "Не вдалося використати камеру: {reason}",
    scan_denied: "Застосунку не дозволено користуватися камерою. Дозвольте камеру для цього сайту в налаштуваннях браузера або введіть код зупинки, надрукований під QR-кодом.",
    scan_no_camera: "Зараз на цьому пристрої не можна скористатися жодною камерою. Введіть код зупинки, надрукований під QR-кодом.",
    scan_no_decoder: "Не вдалося завантажити зчитувач QR-кодів. Один раз підключіться до інтернету й скануйте знову або введіть код зупинки, надрукований під QR-кодом.",
    link_foreign: "Цей код не є прогулянкою чи зупинкою цього застосунку: «{link}». Відскануйте QR-код на табличці зупинки або введіть код, надрукований під ним.",
    walks_on_device: "Прогулянки на цьому пристрої", closed: "закрита",
    no_walks: "Ще немає збережених прогулянок. Відкрийте посилання прогулянки один раз онлайн; після цього застосунок працює офлайн.",
    walk_unknown_offline: "Цю прогулянку ще не збережено на пристрої. Підключіться до інтернету й відкрийте посилання знову; після цього вона працюватиме офлайн.",
    walk_not_found: "Прогулянки «{walk}» не існує. Перевірте посилання або запитайте ведучого.",
    load_failed: "Не вдалося завантажити прогулянку: {reason}",
    station_not_found: "Зупинка {code} не належить до цієї прогулянки. Виберіть зупинку нижче.",
    station_of_walk: "Зупинка {code} · {walk}", stations: "Зупинки цієї прогулянки",
    next_station: "Наступна зупинка: {code} · {title}", whole_walk: "Уся прогулянка, без зупинки",
    at_station: "На цій зупинці", rest_of_checklist: "Решта анкети", checklist: "Анкета",
    progress: "відповіді: {n} з {total}",
    scale_worst: "найгірше", scale_best: "найкраще", dont_know: "Не знаю", clear_answer: "Стерти відповідь",
    comment_add: "Додати коментар", comment_label: "Коментар (необов’язково)", answered_at: "Відповідь дано на зупинці {code}",
    participant_n: "Учасник {n}", participant_new: "Новий учасник",
    participant_new_hint: "Нова анкета починається з першої відповіді.", new_participant: "Новий учасник",
    new_started: "Розпочато нову анкету. Передайте пристрій наступному учасникові.",
    profile: "Про вас (необов’язково)", profile_hint: "Допомагає порівняти погляди різних груп. Ім’я ніколи не запитують.",
    group_label: "Я", group_none: "Не бажаю вказувати",
    group_tcn: "Громадянин третьої країни", group_eu: "Громадянин ЄС", group_czech: "Громадянин Чехії",
    group_ngo: "Працівник неурядової організації", group_city: "Працівник міста або державної адміністрації", group_other: "Інше",
    participant_language: "Бажана мова",
    answers_n: "Відповіді: {n}", started_at: "розпочато {time}", open_now: "відкрита зараз", resume: "Продовжити цю анкету",
    "state_in-progress": "Заповнюється", state_waiting: "Очікує надсилання", state_synced: "Надіслано", state_refused: "Відхилено",
    state_removed: "Видалено організаторами",
    refused_reason: "Сервер відхилив її: {reason}",
    checklists_title: "Анкети на цьому пристрої", no_checklists: "На цьому пристрої ще немає анкет.",
    device_title: "Синхронізація і цей пристрій", sync: "Синхронізація", sync_now: "Синхронізувати",
    sync_progress: "надіслано {sent} з {total}", sync_nothing: "Нічого нового надсилати: усе вже на сервері.",
    sync_retry: "Сервер недоступний. Відповіді в безпеці на цьому пристрої; наступна спроба о {time}.",
    refused_n: "Відхилено: {n}.",
    sync_refused: "Сервер відхилив анкети цієї прогулянки: {reason}",
    key_replaced: "Коди цієї прогулянки замінено; попросіть у ведучого нові, потім відскануйте QR-код або введіть код прогулянки, надрукований під ним. Ваші відповіді залишаються на пристрої.",
    walk_closed: "Цю прогулянку закрито; попросіть ведучого відкрити її знову. Ваші відповіді залишаються на пристрої.",
    key_missing: "Ваші відповіді збережено на цьому телефоні. Щоб надіслати їх, введіть код прогулянки, надрукований під QR-кодом, або відскануйте QR-код.", code_wrong: "Цей код прогулянки не дійсний. Перевірте код під QR-кодом.", walk_code_enter: "Ввести код прогулянки",
    key_wrong: "Код прогулянки в посиланні не прийнято; відскануйте QR-код зупинки ще раз.",
    walk_gone: "На сервері більше немає цієї прогулянки; завантажте резервну копію й передайте її ведучому.",
    last_sync: "Остання успішна синхронізація: {time}", never_synced: "Ще не синхронізовано.",
    per_station: "Анкети й відповіді за зупинками",
    station: "Зупинка", checklists: "Анкети", answers: "Відповіді", no_station: "Без зупинки",
    data_safety: "Збереження відповідей",
    storage_persisted: "Сховище захищене: браузер сам не видалить відповіді.",
    offline_ready: "Готово до роботи офлайн.", offline_not_ready: "Ще не готово до роботи офлайн; залишайтеся онлайн ще хвилинку.",
    backup: "Завантажити резервну копію",
    backup_hint: "Файл з усіма анкетами на цьому пристрої, який ведучий може передати організаторам.",
    photo_n: "Фото {n}", photos_n: "Фото: {n}",
    photos_waiting_n: "Фото, що очікують завантаження: {n}.", photos_none_waiting: "Немає фото, що очікують завантаження.",
    photos_progress: "Завантаження фото: {sent} з {total}", storage_use: "Використано сховища: {used} з {quota} МБ.",
    storage_nearly_full: "Сховище майже заповнене: скоро надішліть фото.",
    device_id: "Пристрій {id}", save_failed: "Не вдалося зберегти відповідь на пристрої: {reason}",
    update_ready: "Нова версія застосунку готова.", update_now: "Оновити",
    install_hint: "Установіть застосунок, щоб відкривати його без браузера, навіть офлайн.", install: "Установити", ok: "Гаразд",
    install_ios: "Додайте застосунок на Початковий екран, щоб відкривати його без браузера, навіть офлайн: торкніться «Поділитися», потім «На Початковий екран».",
  },
  ru: {
    online: "Онлайн", offline: "Офлайн", counts: "Анкеты, сохранённые на этом телефоне: {saved} · отправлено: {sent}.", storage_note: "Полезно знать: когда на телефоне мало места, браузер может удалить сохранённые данные. Отправленные ответы в безопасности; до тех пор можно сохранить резервную копию на вкладке «Отправка».", share_backup: "Отправить копию на другой телефон", restore: "Восстановить из файла", restore_hint: "Загружает резервную копию с этого или другого телефона: имеющиеся анкеты сохраняют самую новую версию, остальные добавляются и отправляются с этого телефона.", restored: "{name}: добавлено {added}, обновлено {updated}, уже здесь {kept}.", restore_not_backup: "{name} не является файлом резервной копии этого приложения.", restore_failed: "Не удалось восстановить {name}: {reason}", finish: "Я закончил(а)", draft: "Черновик перевода. По-английски:", draft_note: "Эти тексты — черновик перевода, ещё не проверенный носителем языка; английский оригинал — под каждым пунктом.",
    app_title: "Аудит города: прогулка", language: "Язык", sections: "Разделы",
    tab_answer: "Ответы", tab_records: "Анкеты", tab_device: "Отправка",
    home_intro: "Отсканируйте камерой QR-код на остановке прогулки или введите код, напечатанный под ним.",
    code_label: "Код остановки", code_help: "Например, P7-1. Заглавные буквы не обязательны.", open: "Открыть",
    code_unknown: "Остановка «{code}» не сохранена на этом устройстве. Проверьте код или откройте ссылку прогулки онлайн.",
    scan: "Сканировать QR-код", scan_stop: "Остановить сканирование", scan_hint: "Наведите камеру на QR-код остановки.",
    scan_failed: "Не удалось использовать камеру: {reason}",
    scan_denied: "Приложению не разрешено пользоваться камерой. Разрешите камеру для этого сайта в настройках браузера или введите код остановки, напечатанный под QR-кодом.",
    scan_no_camera: "Сейчас на этом устройстве нельзя воспользоваться ни одной камерой. Введите код остановки, напечатанный под QR-кодом.",
    scan_no_decoder: "Не удалось загрузить считыватель QR-кодов. Один раз подключитесь к интернету и сканируйте снова или введите код остановки, напечатанный под QR-кодом.",
    link_foreign: "Этот код не является прогулкой или остановкой этого приложения: «{link}». Отсканируйте QR-код на табличке остановки или введите код, напечатанный под ним.",
    walks_on_device: "Прогулки на этом устройстве", closed: "закрыта",
    no_walks: "Сохранённых прогулок пока нет. Откройте ссылку прогулки один раз онлайн; после этого приложение работает офлайн.",
    walk_unknown_offline: "Эта прогулка ещё не сохранена на устройстве. Подключитесь к интернету и откройте ссылку снова; после этого она будет работать офлайн.",
    walk_not_found: "Прогулки «{walk}» не существует. Проверьте ссылку или спросите ведущего.",
    load_failed: "Не удалось загрузить прогулку: {reason}",
    station_not_found: "Остановка {code} не относится к этой прогулке. Выберите остановку ниже.",
    station_of_walk: "Остановка {code} · {walk}", stations: "Остановки этой прогулки",
    next_station: "Следующая остановка: {code} · {title}", whole_walk: "Вся прогулка, без остановки",
    at_station: "На этой остановке", rest_of_checklist: "Остальная часть анкеты", checklist: "Анкета",
    progress: "ответов: {n} из {total}",
    scale_worst: "хуже всего", scale_best: "лучше всего", dont_know: "Не знаю", clear_answer: "Стереть ответ",
    comment_add: "Добавить комментарий", comment_label: "Комментарий (необязательно)", answered_at: "Ответ дан на остановке {code}",
    participant_n: "Участник {n}", participant_new: "Новый участник",
    participant_new_hint: "Новая анкета начинается с первого ответа.", new_participant: "Новый участник",
    new_started: "Начата новая анкета. Передайте устройство следующему участнику.",
    profile: "О вас (необязательно)", profile_hint: "Помогает сравнить мнения разных групп. Имя никогда не спрашивается.",
    group_label: "Я", group_none: "Предпочитаю не указывать",
    group_tcn: "Гражданин третьей страны", group_eu: "Гражданин ЕС", group_czech: "Гражданин Чехии",
    group_ngo: "Сотрудник некоммерческой организации", group_city: "Сотрудник города или госадминистрации", group_other: "Другое",
    participant_language: "Предпочитаемый язык",
    answers_n: "Ответы: {n}", started_at: "начата {time}", open_now: "открыта сейчас", resume: "Продолжить эту анкету",
    "state_in-progress": "Заполняется", state_waiting: "Ожидает отправки", state_synced: "Отправлена", state_refused: "Отклонена",
    state_removed: "Удалено организаторами",
    refused_reason: "Сервер её отклонил: {reason}",
    checklists_title: "Анкеты на этом устройстве", no_checklists: "На этом устройстве ещё нет анкет.",
    device_title: "Синхронизация и это устройство", sync: "Синхронизация", sync_now: "Синхронизировать",
    sync_progress: "отправлено {sent} из {total}", sync_nothing: "Нечего отправлять: всё уже на сервере.",
    sync_retry: "Сервер недоступен. Ответы в безопасности на этом устройстве; следующая попытка в {time}.",
    refused_n: "Отклонено: {n}.",
    sync_refused: "Сервер отклонил анкеты этой прогулки: {reason}",
    key_replaced: "Коды этой прогулки заменены; попросите у ведущего новые, затем отсканируйте QR-код или введите код прогулки, напечатанный под ним. Ваши ответы остаются на устройстве.",
    walk_closed: "Эта прогулка закрыта; попросите ведущего открыть её снова. Ваши ответы остаются на устройстве.",
    key_missing: "Ваши ответы сохранены на этом телефоне. Чтобы отправить их, введите код прогулки, напечатанный под QR-кодом, или отсканируйте QR-код.", code_wrong: "Этот код прогулки недействителен. Проверьте код под QR-кодом.", walk_code_enter: "Ввести код прогулки",
    key_wrong: "Код прогулки в ссылке не принят; отсканируйте QR-код остановки ещё раз.",
    walk_gone: "На сервере больше нет этой прогулки; скачайте резервную копию и передайте её ведущему.",
    last_sync: "Последняя успешная синхронизация: {time}", never_synced: "Ещё не синхронизировано.",
    per_station: "Анкеты и ответы по остановкам",
    station: "Остановка", checklists: "Анкеты", answers: "Ответы", no_station: "Без остановки",
    data_safety: "Сохранность ответов",
    storage_persisted: "Хранилище защищено: браузер сам не удалит ответы.",
    offline_ready: "Готово к работе офлайн.", offline_not_ready: "Ещё не готово к работе офлайн; оставайтесь онлайн ещё минуту.",
    backup: "Скачать резервную копию",
    backup_hint: "Файл со всеми анкетами на этом устройстве, который ведущий может передать организаторам.",
    photo_n: "Фото {n}", photos_n: "Фото: {n}",
    photos_waiting_n: "Фото, ожидающие загрузки: {n}.", photos_none_waiting: "Нет фото, ожидающих загрузки.",
    photos_progress: "Загрузка фото: {sent} из {total}", storage_use: "Использовано хранилища: {used} из {quota} МБ.",
    storage_nearly_full: "Хранилище почти заполнено: скоро отправьте фото.",
    device_id: "Устройство {id}", save_failed: "Не удалось сохранить ответ на устройстве: {reason}",
    update_ready: "Новая версия приложения готова.", update_now: "Обновить",
    install_hint: "Установите приложение, чтобы открывать его без браузера, даже офлайн.", install: "Установить", ok: "Понятно",
    install_ios: "Добавьте приложение на экран «Домой», чтобы открывать его без браузера, даже офлайн: нажмите «Поделиться», затем «На экран „Домой“».",
  },
  vi: {
    online: "Trực tuyến", offline: "Ngoại tuyến", counts: "Bảng kiểm lưu trên điện thoại này: {saved} · đã gửi: {sent}.", storage_note: "Lưu ý: khi điện thoại thiếu dung lượng, trình duyệt có thể xóa dữ liệu đã lưu. Câu trả lời đã gửi thì an toàn; trước đó bạn có thể lưu bản sao lưu ở thẻ Đồng bộ.", share_backup: "Gửi bản sao lưu sang điện thoại khác", restore: "Khôi phục từ tệp", restore_hint: "Nhận tệp sao lưu từ điện thoại này hoặc điện thoại khác: bảng kiểm đã có giữ phiên bản mới nhất, các bảng khác được thêm vào và gửi từ điện thoại này.", restored: "{name}: thêm {added}, cập nhật {updated}, đã có {kept}.", restore_not_backup: "{name} không phải tệp sao lưu của ứng dụng này.", restore_failed: "Không khôi phục được {name}: {reason}", finish: "Tôi đã xong", draft: "Bản dịch nháp. Tiếng Anh:", draft_note: "Các nội dung này là bản dịch nháp, chưa được người bản ngữ kiểm tra; bản gốc tiếng Anh nằm dưới mỗi mục.",
    app_title: "Khảo sát đô thị đi bộ", language: "Ngôn ngữ", sections: "Mục",
    tab_answer: "Trả lời", tab_records: "Phiếu", tab_device: "Đồng bộ",
    home_intro: "Quét mã QR tại điểm dừng của chuyến đi bằng máy ảnh, hoặc nhập mã in bên dưới.",
    code_label: "Mã điểm dừng", code_help: "Ví dụ P7-1. Không cần viết hoa.", open: "Mở",
    code_unknown: "Điểm dừng “{code}” chưa được lưu trên thiết bị này. Hãy kiểm tra mã, hoặc mở đường dẫn của chuyến đi khi có mạng.",
    scan: "Quét mã QR", scan_stop: "Dừng quét", scan_hint: "Hướng máy ảnh vào mã QR của điểm dừng.",
    scan_failed: "Không thể dùng máy ảnh: {reason}",
    scan_denied: "Ứng dụng không được phép dùng máy ảnh. Hãy cho phép máy ảnh cho trang này trong cài đặt trình duyệt, hoặc nhập mã điểm dừng in dưới mã QR.",
    scan_no_camera: "Hiện không thể dùng máy ảnh nào trên thiết bị này. Hãy nhập mã điểm dừng in dưới mã QR.",
    scan_no_decoder: "Không tải được trình đọc mã QR. Hãy kết nối internet một lần rồi quét lại, hoặc nhập mã điểm dừng in dưới mã QR.",
    link_foreign: "Mã này không phải chuyến đi hay điểm dừng của ứng dụng này: “{link}”. Hãy quét mã QR trên biển của điểm dừng, hoặc nhập mã in bên dưới.",
    walks_on_device: "Các chuyến đi trên thiết bị này", closed: "đã đóng",
    no_walks: "Chưa lưu chuyến đi nào. Hãy mở đường dẫn của chuyến đi một lần khi có mạng; sau đó ứng dụng hoạt động không cần mạng.",
    walk_unknown_offline: "Chuyến đi này chưa được lưu trên thiết bị. Hãy kết nối internet và mở lại đường dẫn; sau đó nó sẽ hoạt động không cần mạng.",
    walk_not_found: "Không có chuyến đi “{walk}”. Hãy kiểm tra đường dẫn hoặc hỏi người hướng dẫn.",
    load_failed: "Không thể tải chuyến đi: {reason}",
    station_not_found: "Điểm dừng {code} không thuộc chuyến đi này. Hãy chọn một điểm dừng bên dưới.",
    station_of_walk: "Điểm dừng {code} · {walk}", stations: "Các điểm dừng của chuyến đi",
    next_station: "Điểm dừng tiếp theo: {code} · {title}", whole_walk: "Cả chuyến đi, không theo điểm dừng",
    at_station: "Tại điểm dừng này", rest_of_checklist: "Phần còn lại của phiếu", checklist: "Phiếu khảo sát",
    progress: "đã trả lời {n}/{total}",
    scale_worst: "tệ nhất", scale_best: "tốt nhất", dont_know: "Không biết", clear_answer: "Xóa câu trả lời",
    comment_add: "Thêm nhận xét", comment_label: "Nhận xét (không bắt buộc)", answered_at: "Trả lời tại điểm dừng {code}",
    participant_n: "Người tham gia {n}", participant_new: "Người tham gia mới",
    participant_new_hint: "Phiếu mới bắt đầu từ câu trả lời đầu tiên.", new_participant: "Người tham gia mới",
    new_started: "Đã bắt đầu phiếu mới. Hãy đưa thiết bị cho người tham gia tiếp theo.",
    profile: "Về bạn (không bắt buộc)", profile_hint: "Giúp so sánh ý kiến giữa các nhóm. Không bao giờ hỏi tên bạn.",
    group_label: "Tôi là", group_none: "Không muốn cho biết",
    group_tcn: "Công dân nước thứ ba", group_eu: "Công dân EU", group_czech: "Công dân Séc",
    group_ngo: "Nhân viên tổ chức phi chính phủ", group_city: "Nhân viên thành phố hoặc cơ quan công quyền", group_other: "Khác",
    participant_language: "Ngôn ngữ ưa thích",
    answers_n: "Câu trả lời: {n}", started_at: "bắt đầu {time}", open_now: "đang mở", resume: "Tiếp tục phiếu này",
    "state_in-progress": "Đang điền", state_waiting: "Chờ đồng bộ", state_synced: "Đã đồng bộ", state_refused: "Bị từ chối",
    state_removed: "Ban tổ chức đã xóa",
    refused_reason: "Máy chủ đã từ chối: {reason}",
    checklists_title: "Các phiếu trên thiết bị này", no_checklists: "Chưa có phiếu nào trên thiết bị này.",
    device_title: "Đồng bộ và thiết bị này", sync: "Đồng bộ", sync_now: "Đồng bộ ngay",
    sync_progress: "đã gửi {sent}/{total}", sync_nothing: "Không có gì mới để gửi: mọi thứ đã có trên máy chủ.",
    sync_retry: "Không kết nối được máy chủ. Câu trả lời vẫn an toàn trên thiết bị; sẽ thử lại lúc {time}.",
    refused_n: "Bị từ chối: {n}.",
    sync_refused: "Máy chủ đã từ chối các phiếu của chuyến đi này: {reason}",
    key_replaced: "Mã của chuyến đi này đã được thay; hãy xin người hướng dẫn mã mới, rồi quét mã QR hoặc nhập mã chuyến đi in bên dưới mã đó. Câu trả lời của bạn vẫn được giữ trên thiết bị.",
    walk_closed: "Chuyến đi này đã đóng; hãy nhờ người hướng dẫn mở lại. Câu trả lời của bạn vẫn được giữ trên thiết bị.",
    key_missing: "Câu trả lời của bạn đã được lưu trên điện thoại này. Để gửi, hãy nhập mã chuyến đi in dưới mã QR, hoặc quét một mã QR.", code_wrong: "Mã chuyến đi này không đúng. Hãy kiểm tra mã in dưới mã QR.", walk_code_enter: "Nhập mã chuyến đi",
    key_wrong: "Mã chuyến đi trong đường dẫn không được chấp nhận; hãy quét lại mã QR của điểm dừng.",
    walk_gone: "Máy chủ không còn chuyến đi này; hãy tải bản sao lưu và đưa cho người hướng dẫn.",
    last_sync: "Lần đồng bộ thành công gần nhất: {time}", never_synced: "Chưa đồng bộ.",
    per_station: "Số phiếu và câu trả lời theo điểm dừng",
    station: "Điểm dừng", checklists: "Phiếu", answers: "Câu trả lời", no_station: "Không có điểm dừng",
    data_safety: "Giữ an toàn câu trả lời",
    storage_persisted: "Bộ nhớ được bảo vệ: trình duyệt sẽ không tự xóa câu trả lời.",
    offline_ready: "Sẵn sàng hoạt động không cần mạng.", offline_not_ready: "Chưa sẵn sàng hoạt động không cần mạng; hãy giữ kết nối thêm một lát.",
    backup: "Tải bản sao lưu",
    backup_hint: "Tệp chứa mọi phiếu trên thiết bị này, người hướng dẫn có thể chuyển cho ban tổ chức.",
    photo_n: "Ảnh {n}", photos_n: "Ảnh: {n}",
    photos_waiting_n: "Ảnh đang chờ tải lên: {n}.", photos_none_waiting: "Không có ảnh nào chờ tải lên.",
    photos_progress: "Đang tải ảnh lên: {sent} / {total}", storage_use: "Dung lượng đã dùng: {used} / {quota} MB.",
    storage_nearly_full: "Bộ nhớ gần đầy: hãy sớm đồng bộ ảnh.",
    device_id: "Thiết bị {id}", save_failed: "Không thể lưu câu trả lời trên thiết bị: {reason}",
    update_ready: "Đã có phiên bản mới của ứng dụng.", update_now: "Cập nhật ngay",
    install_hint: "Cài đặt ứng dụng để mở mà không cần trình duyệt, kể cả khi không có mạng.", install: "Cài đặt", ok: "Đã hiểu",
    install_ios: "Thêm ứng dụng vào Màn hình chính để mở mà không cần trình duyệt, kể cả khi không có mạng: chạm Chia sẻ, rồi “Thêm vào MH chính”.",
  },
};

let current = "en";
const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;
// Languages the stored checklists offer beyond the app's own: their texts show, the app's strings stay English.
const contentLanguages = new Set();

/** Offer a checklist's languages too; returns true when one was new (so the language menus need a redraw). */
export function addContentLanguages(codes = []) {
  let added = false;
  for (const code of codes) {
    if (LANGUAGE_CODE.test(code) && !(code in LANGUAGES) && !contentLanguages.has(code)) {
      contentLanguages.add(code);
      added = true;
    }
  }
  return added;
}

/** Name a language in itself (Polski, Deutsch …) where the browser knows it, else its code. */
function nativeName(code) {
  try {
    const name = new Intl.DisplayNames([code], {type: "language"}).of(code);
    return name ? name.charAt(0).toLocaleUpperCase(code) + name.slice(1) : code;
  } catch {
    return code;
  }
}

/** Return [code, name] of every language to offer: the app's own, then those only checklists have. */
export function languageOptions() {
  const extra = [...contentLanguages];
  if (LANGUAGE_CODE.test(current) && !(current in LANGUAGES) && !contentLanguages.has(current)) extra.push(current);
  return [...Object.entries(LANGUAGES), ...extra.map((code) => [code, nativeName(code)])];
}

/** Pick the first supported language from the browser's preferences (en-GB → en), else English. */
export function pickLanguage(preferred = []) {
  for (const tag of preferred) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

/** Switch the UI language. */
export function setLanguage(code) {
  current = code in LANGUAGES || LANGUAGE_CODE.test(code || "") ? code : "en";
  document.documentElement.lang = current;
}

/** Return the UI language code. */
export const language = () => current;

/** Translate a UI string, filling {name} placeholders. */
export function t(key, params = {}) {
  const template = STRINGS[current]?.[key] ?? STRINGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** Pick a definition text ({en, cs, …}) in the UI language, else English; lang is set when it fell back. */
export function localized(texts) {
  if (!texts) return {text: ""};
  if (texts[current]) return {text: texts[current]};
  const fallback = texts.en ? "en" : Object.keys(texts)[0];
  return {text: texts[fallback] || "", lang: fallback};
}

/** Format a timestamp as a short local time (with the date when not today) in the UI language. */
export function formatTime(iso) {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const options = today ? {hour: "2-digit", minute: "2-digit"} : {day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"};
  return new Intl.DateTimeFormat(current, options).format(date);
}
